/** The page's element with this id, of this type: a missing one is a bug in index.html, so it throws at start. */
export function byId<T extends Element>(id: string, type: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html lacks #${id} (${type.name})`);
  return element;
}

/** Makes `zone` take a dropped file: marked `dragging` while one is over it, `use` called with the first file dropped. */
export function onFileDrop(zone: HTMLElement, use: (file: File) => void): void {
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) use(file);
  });
}
