import { createWorker, type Worker, type WorkerOptions } from '../../src/worker/worker.ts';
import { trackOpen } from './leaks.ts';

/** createWorker, seen by the leak check until the worker has stopped. */
export function startWorker(options: WorkerOptions): Worker {
  const worker = createWorker(options);
  const release = trackOpen('worker', options.name ? `the worker ${options.name}` : 'a worker');
  void worker.stopped.then(release, release);
  return worker;
}
