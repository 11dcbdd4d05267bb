export { decode, type Extension, encode, registerExtension } from './codec.ts';
export { findUnserializable, type SerializableProblem } from './serializable.ts';
export {
  assignGroups,
  parseCpuList,
  parseTopologySpec,
  readAffinity,
  readCpuQuota,
  readNumaGroups,
  readTopology,
  type Topology,
  TopologyError,
  type TopologyOptions,
} from './topology.ts';
