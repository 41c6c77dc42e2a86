// Types of jpeg-js's decoder module (the package types only its index, which also pulls in the encoder).
declare module "jpeg-js/lib/decoder.js" {
  export default function decode(
    data: Uint8Array,
    options?: { useTArray?: boolean; formatAsRGBA?: boolean; maxMemoryUsageInMB?: number; maxResolutionInMP?: number; tolerantDecoding?: boolean },
  ): { width: number; height: number; data: Uint8Array };
}
