import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** An output item that carries a file as n8n binary data (file name and MIME type set). */
export async function fileItem(
	context: IExecuteFunctions,
	json: IDataObject,
	file: { field: string; data: Buffer; fileName: string; mimeType: string },
	itemIndex: number,
): Promise<INodeExecutionData> {
	const binary = await context.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
	return { json, binary: { [file.field]: binary }, pairedItem: { item: itemIndex } };
}

/** The image's type from its first bytes, else the answer's Content-Type, else the requested format. */
export function imageTypeOf(data: Buffer, contentType?: string, format?: string): string {
	if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
		return 'image/png';
	if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
	if (
		data.subarray(0, 4).toString('latin1') === 'RIFF' &&
		data.subarray(8, 12).toString('latin1') === 'WEBP'
	)
		return 'image/webp';
	const declared = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (declared.startsWith('image/')) return declared;
	return `image/${format ?? 'png'}`;
}
