// The public surface of arrow-transfer/: moving rows between engines as Arrow record batches.
export { arrowSchema, canonical, KIND_METADATA, makeBatch, RowChecksum } from "./batch.ts";
export { CHECKPOINT_TABLE } from "./checkpoint.ts";
export { parseTransferFault, TRANSFER_FAULT_MARKER, transferFaultHooks } from "./faults.ts";
export {
  type JetStreamTuning,
  type PeerKeys,
  type ReceiveOptions,
  receiveTransfer,
  type SendOptions,
  serveTransferSource,
  type TransferSender,
  transferViaJetStream,
} from "./jetstream.ts";
export {
  type Preflight,
  type PreflightTable,
  type TableResult,
  type TransferHooks,
  type TransferOptions,
  type TransferReport,
  transfer,
} from "./transfer.ts";
export type {
  BatchReader,
  BatchWriter,
  Checkpoint,
  ConflictPolicy,
  KeyPager,
  ProgressEvent,
} from "./types.ts";
export { CONFLICT_POLICIES } from "./types.ts";
