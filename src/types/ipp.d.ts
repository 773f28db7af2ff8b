// Types for the parts of the `ipp` package the IPP driver uses (it ships none).
declare module 'ipp' {
  export function serialize(message: Record<string, unknown>): Buffer;
  export function parse(bytes: Buffer): Record<string, unknown> & { statusCode?: string };
  const ipp: { serialize: typeof serialize; parse: typeof parse };
  export default ipp;
}
