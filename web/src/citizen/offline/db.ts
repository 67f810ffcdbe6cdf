// The phone's own store (IndexedDB) for complaints that have not reached the portal yet, media included.

export interface OutboxFile {
  name: string;
  type: string;
  blob: Blob;
}

export interface OutboxEntry {
  /** Also the Idempotency-Key: however often it is sent, the portal files it once. */
  id: string;
  userId: number;
  createdAt: string;
  fields: Record<string, string>;
  files: OutboxFile[];
  state: 'waiting' | 'sent' | 'failed';
  attempts: number;
  sentAt?: string;
  complaintId?: number;
  trackingNumber?: string;
  error?: string;
}

const DB_NAME = 'citizen-portal';
const STORE = 'outbox';
let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = work(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      }),
  );
}

export const outboxDb = {
  put: (entry: OutboxEntry) => run('readwrite', (s) => s.put(entry)).then(() => undefined),
  get: (id: string) => run<OutboxEntry | undefined>('readonly', (s) => s.get(id)),
  all: () => run<OutboxEntry[]>('readonly', (s) => s.getAll()),
  remove: (id: string) => run('readwrite', (s) => s.delete(id)).then(() => undefined),
};
