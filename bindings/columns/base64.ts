// Bytes <-> base64 in any host: Node's Buffer, Uint8Array.toBase64 / fromBase64 where present, else
// btoa / atob. Shared by the report's data and the COCO state files.
interface NodeBuffer {
  from(data: ArrayBufferView | ArrayBuffer | string, ...rest: unknown[]): Uint8Array & { toString(enc: string): string };
}
const NodeBuf = (globalThis as { Buffer?: NodeBuffer }).Buffer;

export function bytesToBase64(bytes: Uint8Array): string {
  if (NodeBuf) return NodeBuf.from(bytes as ArrayBufferView).toString("base64");
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === "function") return native.call(bytes);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (typeof native === "function") return native(text);
  if (NodeBuf) {
    const b = NodeBuf.from(text, "base64");
    return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
