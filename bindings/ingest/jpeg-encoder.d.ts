// Types of jpeg-js's encoder module (the package types only its index).
declare module "jpeg-js/lib/encoder.js" {
  export default function encode(image: { data: Uint8Array; width: number; height: number }, quality?: number): { data: Uint8Array; width: number; height: number };
}
