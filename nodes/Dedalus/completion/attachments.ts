import type { IDataObject } from 'n8n-workflow';

import type { DedalusContext } from '../../../shared/transport';
import { BinaryInput, IMAGE_FILES, PDF_FILES, dataUri } from './binary-input';
import type { FileRule, InputFileInfo } from './binary-input';
import type { ChatMessage, CompletionParameters, ContentPart } from './parameters';

/** Files a chat message can carry: images as image_url parts, PDFs as file parts. */
export const ATTACHMENT_RULES: Record<'image' | 'any', FileRule[]> = {
	image: [IMAGE_FILES],
	any: [IMAGE_FILES, PDF_FILES],
};

/** The input files of one item, checked (type, size, not empty) but not read yet. */
export type CheckedAttachments = InputFileInfo[];

/** Checks every binary attachment of an item before anything is sent. */
export async function checkAttachments(
	context: DedalusContext,
	parameters: CompletionParameters,
	itemIndex: number,
): Promise<CheckedAttachments> {
	const input = new BinaryInput(context);
	const checked: CheckedAttachments = [];
	for (const attachment of parameters.attachments ?? []) {
		if (attachment.kind !== 'binary') continue;
		checked.push(
			await input.check(itemIndex, attachment.property, ATTACHMENT_RULES[attachment.accepts]),
		);
	}
	return checked;
}

/**
 * The body with the item's files added to its last user message as content parts: binary files
 * as data URIs (read now, one item at a time), links as they are. Without attachments, the body.
 */
export async function withAttachments(
	context: DedalusContext,
	body: IDataObject,
	parameters: CompletionParameters,
	files: CheckedAttachments,
	itemIndex: number,
): Promise<IDataObject> {
	const attachments = parameters.attachments ?? [];
	if (attachments.length === 0) return body;
	const input = new BinaryInput(context);
	const parts: ContentPart[] = [];
	let next = 0;
	for (const attachment of parameters.attachments ?? []) {
		if (attachment.kind === 'url') {
			parts.push({
				type: 'image_url',
				image_url: { url: attachment.url, ...detailOf(parameters) },
			});
			continue;
		}
		const file = await input.read(files[next++], itemIndex);
		parts.push(
			file.rule === PDF_FILES
				? { type: 'file', file: { filename: file.fileName, file_data: dataUri(file) } }
				: { type: 'image_url', image_url: { url: dataUri(file), ...detailOf(parameters) } },
		);
	}
	const messages = (body.messages as ChatMessage[]).slice();
	let last = messages.map((message) => message.role).lastIndexOf('user');
	if (last < 0) {
		messages.push({ role: 'user', content: [] });
		last = messages.length - 1;
	}
	const { content } = messages[last];
	const text: ContentPart[] =
		typeof content === 'string'
			? content === ''
				? []
				: [{ type: 'text', text: content }]
			: content;
	messages[last] = { role: 'user', content: [...text, ...parts] };
	return { ...body, messages };
}

function detailOf(parameters: CompletionParameters): { detail?: string } {
	return parameters.imageDetail ? { detail: parameters.imageDetail } : {};
}
