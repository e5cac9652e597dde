import { apiJson } from './api.ts';
import type { JobList, JobListEntry } from './api-types.ts';
import { byId } from './dom.ts';
import { formatCount } from './units.ts';

/** The account's recent jobs (`GET /v1/audio/jobs`, newest first), each a button that selects it. */
const list = byId('job-list', HTMLUListElement);
const RECENT_JOBS = 20;
/** Refreshes can overlap (a job ending while Refresh is pressed): only the latest one draws. */
let latest = 0;

const describe = (job: JobListEntry) =>
  `${job.id} · ${job.status} · ${formatCount(job.characters, 'characters')} · ${job.response_format} · ${new Date(job.created_at).toLocaleString()}`;

export async function refreshJobList(selected: string | undefined, onSelect: (id: string) => void): Promise<void> {
  const call = ++latest;
  const page = await apiJson<JobList>(`/v1/audio/jobs?limit=${RECENT_JOBS}`);
  if (call !== latest) return;
  list.replaceChildren(
    ...page.data.map((job) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = describe(job);
      button.dataset.jobId = job.id;
      button.dataset.status = job.status;
      if (job.id === selected) button.setAttribute('aria-current', 'true');
      button.addEventListener('click', () => onSelect(job.id));
      const item = document.createElement('li');
      item.append(button);
      return item;
    }),
  );
}

/** Marks the shown job in the list. */
export function markSelected(id: string | undefined): void {
  for (const button of list.querySelectorAll<HTMLButtonElement>('button[data-job-id]')) {
    if (button.dataset.jobId === id) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

export function clearJobList(): void {
  latest++;
  list.replaceChildren();
}
