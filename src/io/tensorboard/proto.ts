/**
 * The subset of TensorFlow's event.proto / summary.proto that TensorBoard needs for scalars,
 * images and histograms, declared as protobufjs reflection descriptors. Field numbers follow
 * tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto.
 */
import protobuf from 'protobufjs';

const packed = { packed: true }; // proto3 packs repeated scalars; this root is proto2-by-default

const root = protobuf.Root.fromJSON({
  nested: {
    tensorflow: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['fileVersion', 'summary'] } },
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Image: {
              fields: {
                height: { type: 'int32', id: 1 },
                width: { type: 'int32', id: 2 },
                colorspace: { type: 'int32', id: 3 },
                encodedImageString: { type: 'bytes', id: 4 },
              },
            },
            Value: {
              oneofs: { value: { oneof: ['simpleValue', 'image', 'histo'] } },
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
                image: { type: 'Image', id: 4 },
                histo: { type: 'HistogramProto', id: 5 },
              },
            },
          },
        },
        HistogramProto: {
          fields: {
            min: { type: 'double', id: 1 },
            max: { type: 'double', id: 2 },
            num: { type: 'double', id: 3 },
            sum: { type: 'double', id: 4 },
            sumSquares: { type: 'double', id: 5 },
            bucketLimit: { rule: 'repeated', type: 'double', id: 6, options: packed },
            bucket: { rule: 'repeated', type: 'double', id: 7, options: packed },
          },
        },
      },
    },
  },
});

export const EventType = root.lookupType('tensorflow.Event');

export interface SummaryImage {
  height: number;
  width: number;
  /** 1 grayscale, 2 grayscale+alpha, 3 RGB, 4 RGBA */
  colorspace: number;
  encodedImageString: Uint8Array;
}

export interface HistogramProto {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** right edge of each bucket; bucket i covers (bucketLimit[i-1], bucketLimit[i]] */
  bucketLimit: number[];
  bucket: number[];
}

export interface SummaryValue {
  tag: string;
  simpleValue?: number;
  image?: SummaryImage;
  histo?: HistogramProto;
}

export interface EventMessage {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: { value: SummaryValue[] };
}

export function encodeEvent(event: EventMessage): Uint8Array {
  return EventType.encode(EventType.fromObject(event)).finish();
}

export function decodeEvent(bytes: Uint8Array): EventMessage {
  const obj = EventType.toObject(EventType.decode(bytes), {
    longs: Number,
    defaults: true, // wallTime/step 0 are omitted on the wire by some writers
    arrays: true,
  }) as EventMessage & { summary?: { value?: SummaryValue[] } };
  if (obj.summary) obj.summary = { value: obj.summary.value ?? [] };
  return obj;
}
