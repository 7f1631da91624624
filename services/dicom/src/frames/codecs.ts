import { createRequire } from 'node:module';

/** The part of dcmjs-codecs (WASM builds of libjpeg-turbo/IJG, CharLS, OpenJPEG, OpenJPH) used here. */
interface CodecContext {
  getDecodedBuffer(): Uint8Array | undefined;
  getEncodedBuffer(): Uint8Array | undefined;
  getPhotometricInterpretation(): string | undefined;
}
interface CodecContextAttrs {
  width: number;
  height: number;
  bitsAllocated: number;
  bitsStored: number;
  samplesPerPixel: number;
  pixelRepresentation: number;
  planarConfiguration: number;
  photometricInterpretation: string;
  encodedBuffer?: Uint8Array;
  decodedBuffer?: Uint8Array;
}
type CodecFn = (context: CodecContext, parameters?: Record<string, unknown>) => CodecContext;
interface DcmjsCodecs {
  Context: new (attrs: CodecContextAttrs) => CodecContext;
  NativeCodecs: {
    initializeAsync(opts: { webAssemblyModulePathOrUrl: string }): Promise<void>;
    isInitialized(): boolean;
  } & Record<
    | 'decodeJpeg'
    | 'encodeJpeg'
    | 'decodeJpegLs'
    | 'encodeJpegLs'
    | 'decodeJpeg2000'
    | 'encodeJpeg2000'
    | 'decodeHtJpeg2000'
    | 'encodeHtJpeg2000',
    CodecFn
  >;
}

const require = createRequire(import.meta.url);
let codecs: DcmjsCodecs | undefined;
let initializing: Promise<DcmjsCodecs> | undefined;

/**
 * Loads the WASM codecs once (about 100 ms); everything after is synchronous. The module is loaded from the
 * package's own build folder, never downloaded, so it works on an air-gapped site.
 */
export function initCodecs(): Promise<DcmjsCodecs> {
  if (codecs) return Promise.resolve(codecs);
  initializing ??= (async () => {
    const loaded = require('dcmjs-codecs') as DcmjsCodecs;
    const wasm = require.resolve('dcmjs-codecs/build/dcmjs-native-codecs.wasm');
    await loaded.NativeCodecs.initializeAsync({ webAssemblyModulePathOrUrl: wasm });
    codecs = loaded;
    return loaded;
  })();
  return initializing;
}

/** The codecs if initCodecs() has completed, for synchronous callers. */
export function loadedCodecs(): DcmjsCodecs | undefined {
  return codecs;
}

export type { CodecContextAttrs, DcmjsCodecs };
