/**
 * Issue 9, point 11: the memory of items completed during a resume that could not finish must
 * outlive any number of other pauses while its own pause can still be resumed.
 */
import { resendOnce } from '../../../../nodes/Dedalus/authorization/resume-guard';

describe('11. the double-send memory', () => {
	it('keeps a resumable pause after 5000 other pauses in the same process', async () => {
		await resendOnce('kept', async (memory) => {
			memory.finishedItems.set(0, { content: 'sent once' });
			return { state: 'still_waiting', connectUrl: 'https://example.com/c', servers: [] };
		});
		for (let other = 0; other < 5000; other++) {
			await resendOnce(`other-${other}`, async () => ({
				state: 'still_waiting',
				connectUrl: 'https://example.com/c',
				servers: [],
			}));
		}
		let remembered: unknown;
		await resendOnce('kept', async (memory) => {
			remembered = memory.finishedItems.get(0);
			return { state: 'failed', message: 'x' };
		});
		expect(remembered).toEqual({ content: 'sent once' });
	});
});
