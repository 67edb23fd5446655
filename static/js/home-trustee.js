// Home page, trustee card: the end-to-end ballots this user is a trustee of, what is left to do first.
import { api, el } from './common.js';

/** Links to the trustee page of each end-to-end ballot `user` holds a key of (drafts included: a trustee
 * reads the drafts they are trustee of), those awaiting their key or their share of the result first. */
export async function trusteeLinks(user, ballots) {
  const e2e = ballots.filter((b) => b.verifiability === 'end_to_end');
  const mine = (await Promise.all(e2e.map((b) => api('GET', `/ballots/${b.id}/trustees`)
    .then((v) => ({ b, t: v.trustees.find((t) => t.user_id === user.id) })).catch(() => ({}))))).filter((x) => x.t);
  const todo = ({ b, t }) => {
    if (b.status === 'draft' && !t.key_uploaded) return `Make your key for ${b.title}`;
    if (b.status === 'closed' && !t.decrypted) return `Decrypt your share of ${b.title}`;
    return null;
  };
  const rows = mine.map((x) => ({ ...x, task: todo(x) }));
  rows.sort((p, q) => Number(!p.task) - Number(!q.task));
  return rows.map(({ b, task }) => el('a', { href: `/ballots/${b.id}/trustee`, 'data-trustee-ballot': b.id, class: task ? 'todo' : null },
    task ?? `Trustee: ${b.title}`));
}
