import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { sharedModel } from './paths.js';

const { onnx } = onnxProto;
type NodeProto = OnnxTypes.NodeProto;

/** Options for {@link buildTinyCrossEncoder}. */
export interface TinyCrossEncoderOptions {
  /**
   * Width of `logits`: 1 (default) gives the overlap count itself, as MS MARCO cross-encoders give one logit;
   * 2 gives `[0, count]`, a two-class head whose class-1 probability rises with the count.
   */
  readonly classes?: 1 | 2;
}

/**
 * A real ONNX cross-encoder, small enough to build in a test: the interface of a BERT sequence classifier
 * (int64 `input_ids`, `attention_mask`, `token_type_ids` of shape [batch, seq]; float `logits` [batch, 1]) whose
 * score is the number of passage tokens (type 1) equal to some query token (type 0). A pair tokenized without
 * token types therefore scores 0, and the passage sharing most query words scores highest. The closing [SEP]
 * always matches the query's [SEP], adding 1 to every pair.
 *
 * It compares every position with every other by broadcasting `input_ids` as [b, s, 1] against [b, 1, s], keeps
 * the query columns with a MatMul, and sums the passage rows: opset 13 ops onnxruntime runs on any CPU.
 */
export function buildTinyCrossEncoder(options: TinyCrossEncoderOptions = {}): Uint8Array {
  const classes = options.classes ?? 1;
  const { FLOAT, INT64 } = onnx.TensorProto.DataType;
  const int64s = (name: string, values: number[]) =>
    onnx.TensorProto.create({ name, dataType: INT64, dims: [values.length], int64Data: values });
  const node = (opType: string, input: string[], output: string, attribute: OnnxTypes.IAttributeProto[] = []): NodeProto =>
    onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute });
  const toFloat = [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT })];
  const tensorInfo = (name: string, elemType: number, dims: Array<string | number>) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })) },
        },
      },
    });

  const nodes: NodeProto[] = [
    node('Unsqueeze', ['input_ids', 'axis_2'], 'ids_column'),
    node('Unsqueeze', ['input_ids', 'axis_1'], 'ids_row'),
    node('Equal', ['ids_column', 'ids_row'], 'same_token'),
    node('Cast', ['same_token'], 'same_token_float', toFloat),
    node('Cast', ['token_type_ids'], 'type_float', toFloat),
    node('Cast', ['attention_mask'], 'mask_float', toFloat),
    // Real tokens of the second segment are the passage; real tokens of the first are the query.
    node('Mul', ['type_float', 'mask_float'], 'passage'),
    node('Sub', ['mask_float', 'passage'], 'query'),
    node('Unsqueeze', ['query', 'axis_2'], 'query_column'),
    // [b, s, s] x [b, s, 1]: for each position, how many query positions hold the same token.
    node('MatMul', ['same_token_float', 'query_column'], 'query_matches'),
    node('Min', ['query_matches', 'one'], 'matched_column'),
    node('Squeeze', ['matched_column', 'axis_2'], 'matched'),
    node('Mul', ['matched', 'passage'], 'passage_matched'),
    node('ReduceSum', ['passage_matched', 'axis_1'], classes === 1 ? 'logits' : 'overlap', [
      onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }),
    ]),
  ];
  if (classes === 2) {
    nodes.push(
      node('Sub', ['overlap', 'overlap'], 'zero_logit'),
      node('Concat', ['zero_logit', 'overlap'], 'logits', [
        onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }),
      ]),
    );
  }

  const graph = onnx.GraphProto.create({
    name: 'tiny_cross_encoder',
    node: nodes,
    initializer: [
      int64s('axis_1', [1]),
      int64s('axis_2', [2]),
      onnx.TensorProto.create({ name: 'one', dataType: FLOAT, dims: [], floatData: [1] }),
    ],
    input: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => tensorInfo(name, INT64, ['batch', 'sequence'])),
    output: [tensorInfo('logits', FLOAT, ['batch', classes])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'trellis-test',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Writes a cross-encoder model directory into `dir`: the tiny graph as `onnx/model_quantized.onnx` (where the
 * catalogue's MS MARCO export keeps it) beside a copy of the shared BERT tokenizer. Returns `dir`.
 */
export async function writeTinyCrossEncoder(dir: string, options: TinyCrossEncoderOptions = {}): Promise<string> {
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  await writeFile(path.join(dir, 'onnx', 'model_quantized.onnx'), buildTinyCrossEncoder(options));
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) {
    await copyFile(sharedModel('all-MiniLM-L6-v2-tokenizer', file), path.join(dir, file));
  }
  return dir;
}
