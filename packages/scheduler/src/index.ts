export { decode, type Extension, encode, registerExtension } from './codec.ts';
export { findUnserializable, type SerializableProblem } from './serializable.ts';
