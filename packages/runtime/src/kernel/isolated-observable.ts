/**
 * The streams the runtime hands to user code (`events$`, `deadLetters$`)
 * isolate their subscribers. rxjs reports a subscriber that throws as an
 * uncaught exception (after a timeout), which ends a Node process: one
 * observer's bug would take the whole system down. Here (rxjs's
 * SafeSubscriber idea, one step further):
 *
 * 1. `subscribe` wraps the observer before rxjs sees it, so its `next`,
 *    `error` and `complete` run inside a try/catch of ours.
 * 2. A throw unsubscribes that observer, then `onFailure(error)` reports it
 *    (system.ts: an `observer.failed` event and a log line). The other
 *    subscribers, and the actors, carry on.
 * 3. An error notification the observer has no `error` callback for (an
 *    operator's callback threw, e.g. in `map`) is such a failure too.
 * 4. Operators keep the isolation: `lift` returns this class, so
 *    `events$.pipe(filter(…)).subscribe(fn)` is isolated like
 *    `events$.subscribe(fn)`.
 * 5. A Subscriber (what operators, `firstValueFrom` and friends subscribe
 *    with) passes through untouched: its callbacks are rxjs's own, which
 *    route errors themselves, and its unsubscribe must reach the source.
 *
 * Cost: one extra call and a try/catch per delivered value, on the
 * observability path only.
 */
import { Observable, type Observer, type Operator, Subscriber, type Subscription } from 'rxjs';

export class IsolatedObservable<T> extends Observable<T> {
  constructor(
    subscribe: ((subscriber: Subscriber<T>) => unknown) | undefined,
    private readonly onFailure: (error: unknown) => void,
  ) {
    super(subscribe as never);
  }

  /** Step 4 (rxjs 7 operators build their observable with `source.lift`). */
  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const o = new IsolatedObservable<R>(undefined, this.onFailure);
    o.source = this;
    o.operator = operator;
    return o;
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((e: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext); // step 5
    const target: Partial<Observer<T>> =
      typeof observerOrNext === 'function' || observerOrNext == null
        ? {
            ...(observerOrNext != null ? { next: observerOrNext } : {}),
            ...(error != null ? { error } : {}),
            ...(complete != null ? { complete } : {}),
          }
        : observerOrNext;
    let sub: Subscription | undefined;
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      sub?.unsubscribe();
      this.onFailure(e);
    };
    sub = super.subscribe({
      next: (v) => {
        const f = target.next;
        if (failed || f === undefined) return;
        try {
          f.call(target, v);
        } catch (e) {
          fail(e);
        }
      },
      error: (err) => {
        const f = target.error;
        if (failed) return;
        if (f === undefined) {
          fail(err); // step 3
          return;
        }
        try {
          f.call(target, err);
        } catch (e) {
          fail(e);
        }
      },
      complete: () => {
        const f = target.complete;
        if (failed || f === undefined) return;
        try {
          f.call(target);
        } catch (e) {
          fail(e);
        }
      },
    });
    if (failed) sub.unsubscribe(); // it threw while subscribing
    return sub;
  }
}

/** `source`, with its subscribers isolated. */
export function isolate<T>(source: Observable<T>, onFailure: (error: unknown) => void): Observable<T> {
  return new IsolatedObservable<T>((sub) => source.subscribe(sub), onFailure);
}
