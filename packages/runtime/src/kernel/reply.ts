/**
 * Reply types that follow from the message, as Akka Typed's `replyTo`: a
 * message type declares what an ask of it is answered with, and
 * `ref.ask(msg)` returns a promise of exactly that, so
 * `const n: number = await ref.ask(msg)` does not compile when the message
 * declares a string reply.
 *
 * ```ts
 * type Get = Ask<number, { type: 'get' }>;      // or: interface Get extends Ask<number> { type: 'get' }
 * type CounterMsg = { type: 'inc' } | Get;
 * const n = await counter.ask({ type: 'get' }); // Promise<number>
 * ```
 *
 * The declaration is a phantom: an optional property under a symbol that
 * exists only in the types, so a plain `{ type: 'get' }` is a `Get` and no
 * value carries anything at run time.
 *
 * Rules:
 * 1. `ref.ask(msg)` answers with what `msg & M` declares: the members of the
 *    ref's message union `M` that `msg` can be (a discriminant such as
 *    `type: 'get'` picks one; a value typed as the whole union gets every
 *    reply). An untyped ref (`ActorRef<unknown>`) takes what `msg` declares.
 * 2. A member that declares nothing answers `unknown`: the reply must then be
 *    checked, or named by hand with `ref.ask<R>(msg)` (unchecked, as before
 *    reply types existed; prefer declaring it on the message).
 * 3. `ctx.reply(value)` takes the union of the replies the actor's messages
 *    declare, when all of them declare one; otherwise any value.
 *
 * Why `ask<T, _Inferred>(msg: T & M)` and not `ask<T extends M>(msg: T)`:
 * a type parameter constrained by M, or a conditional type of M in a
 * parameter, makes TypeScript measure ActorRef as invariant in M, and an
 * `ActorRef<Counter>` would no longer be an `ActorRef` (of unknown). The
 * second, never-given parameter keeps an explicit `ask<R>(msg)` (one type
 * argument) on the hand-named overload; with `ActorRef<any>`, `T & any`
 * would otherwise accept it and answer `unknown`. For the same reason
 * `ctx.reply` takes `<V extends RepliesOf<M>>(value: V)`: the conditional
 * sits in a constraint, where it does not fix the variance.
 */

/** Type-only key of the phantom reply declaration (no such value exists at run time). */
declare const REPLY: unique symbol;

/** A message of shape `M` that an ask answers with an `R`. */
export type Ask<R, M extends object = object> = M & { readonly [REPLY]?: R };

/** What a message type declares as its reply; `unknown` when it declares none (distributes over unions). */
export type ReplyOf<X> = X extends { readonly [REPLY]?: infer R } ? R : unknown;

/** What `ctx.reply` accepts in an actor taking `M` (rule 3). */
export type RepliesOf<M> = unknown extends M ? unknown : ReplyOf<M>;
