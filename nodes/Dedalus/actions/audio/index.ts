import type { INodeProperties } from 'n8n-workflow';

import * as speech from './speech.operation';
import * as transcribe from './transcribe.operation';

export { speech, transcribe };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['audio'] } },
		options: [
			{
				name: 'Generate Speech',
				value: 'speech',
				action: 'Generate speech',
				description: 'Speak a text; the audio comes out as binary data',
			},
			{
				name: 'Transcribe',
				value: 'transcribe',
				action: 'Transcribe a recording',
				description: 'Turn speech from an audio file into text in its own language',
			},
			{
				name: 'Translate',
				value: 'translate',
				action: 'Translate a recording into english',
				description: 'Turn speech from an audio file into English text',
			},
		],
		default: 'transcribe',
	},
	...speech.description,
	...transcribe.transcribeDescription,
	...transcribe.translateDescription,
];
