/**
 * A small builder for ONNX graphs, used by the tiny-pack generator to write models with the
 * same file names, inputs and outputs as the real Qwen3-TTS export. Only what the generator
 * needs: float32/int64 tensors, single- and multi-output nodes, int/float/ints attributes.
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';

const { onnx } = onnxProto;

export type ElemType = 'float32' | 'int64' | 'float16';
export type Dim = number | string;

const DATA_TYPE: Record<ElemType, number> = { float32: 1, int64: 7, float16: 10 };

export type Attr =
  | { i: number }
  | { f: number }
  | { ints: number[] }
  | { t: { data: Float32Array | BigInt64Array; dims: number[] } };

export const int = (i: number): Attr => ({ i });
export const float = (f: number): Attr => ({ f });
export const ints = (values: number[]): Attr => ({ ints: values });

/** Opset 17: ReduceMean/ReduceSum-with-attribute semantics are those of 13..17. */
export const OPSET = 17;

function valueInfo(name: string, type: ElemType, dims: Dim[]): P.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorProto(name: string, data: Float32Array | BigInt64Array, dims: number[]): P.ITensorProto {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return {
    name,
    dims,
    dataType: data instanceof Float32Array ? DATA_TYPE.float32 : DATA_TYPE.int64,
    rawData: bytes.slice(),
  };
}

function attribute(name: string, value: Attr): P.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in value) return { name, type: T.INT, i: value.i };
  if ('f' in value) return { name, type: T.FLOAT, f: value.f };
  if ('ints' in value) return { name, type: T.INTS, ints: value.ints };
  return { name, type: T.TENSOR, t: tensorProto('', value.t.data, value.t.dims) };
}

export class GraphBuilder {
  private readonly nodes: P.INodeProto[] = [];
  private readonly initializers: P.ITensorProto[] = [];
  private readonly inputs: P.IValueInfoProto[] = [];
  private readonly outputs: P.IValueInfoProto[] = [];
  private counter = 0;
  private readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Marks `value` as the graph output `name` (through an Identity when the names differ). */
  output(value: string, name: string, type: ElemType, dims: Dim[]): void {
    if (value !== name) this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, type, dims));
  }

  init(data: Float32Array | BigInt64Array, dims: number[], hint = 'w'): string {
    const name = `${hint}_${this.counter++}`;
    this.initializers.push(tensorProto(name, data, dims));
    return name;
  }

  f32(values: number[] | Float32Array, dims: number[] = [values.length]): string {
    return this.init(Float32Array.from(values), dims, 'c');
  }

  i64(values: number[], dims: number[] = [values.length]): string {
    return this.init(BigInt64Array.from(values.map(BigInt)), dims, 'c');
  }

  /** A 0-d int64 constant (what Range and Gather-as-scalar want). */
  i64Scalar(value: number): string {
    return this.init(BigInt64Array.of(BigInt(value)), [], 'c');
  }

  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const output = out ?? `${type.toLowerCase()}_${this.counter++}`;
    this.nodes.push({
      opType: type,
      input: inputs,
      output: [output],
      name: `${type}_${this.counter++}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  build(): Uint8Array {
    const model: P.IModelProto = {
      irVersion: 8,
      producerName: 'open-tts tiny-pack',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}
