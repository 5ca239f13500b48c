/**
 * Writes a small valid PDF (one Helvetica text page per entry, each line a text line) with a correct xref table,
 * so tests need no committed binaries. `encrypt: true` adds an /Encrypt dictionary requiring a user password.
 */
export function buildPdf(pages: readonly (readonly string[])[], options: { title?: string; encrypt?: boolean } = {}): Buffer {
  const objects: string[] = [];
  const pageCount = pages.length;
  const fontId = 3;
  const firstPageId = 4;
  const infoId = firstPageId + pageCount * 2;
  const encryptId = infoId + 1;
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  const kids = pages.map((_, index) => `${firstPageId + index * 2} 0 R`).join(' ');
  objects[2] = `<< /Type /Pages /Kids [${kids}] /Count ${pageCount} >>`;
  objects[fontId] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  pages.forEach((lines, index) => {
    const pageId = firstPageId + index * 2;
    const contentId = pageId + 1;
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${fontId} 0 R >> >> ` +
      `/Contents ${contentId} 0 R >>`;
    const escape = (line: string) => line.replace(/[\\()]/g, (character) => `\\${character}`);
    const body = `BT /F1 12 Tf 14 TL 72 720 Td ${lines.map((line) => `(${escape(line)}) Tj T*`).join(' ')} ET`;
    objects[contentId] = `<< /Length ${Buffer.byteLength(body, 'latin1')} >>\nstream\n${body}\nendstream`;
  });
  objects[infoId] = `<< /Title (${options.title ?? 'Untitled'}) >>`;
  if (options.encrypt) {
    // Standard security handler, RC4 40-bit; O and U are arbitrary, so no password (not even empty) opens it.
    objects[encryptId] =
      `<< /Filter /Standard /V 1 /R 2 /O <${'11'.repeat(32)}> /U <${'22'.repeat(32)}> /P -4 >>`;
  }
  let output = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id += 1) {
    offsets[id] = Buffer.byteLength(output, 'latin1');
    output += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefOffset = Buffer.byteLength(output, 'latin1');
  output += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id += 1) output += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  const encrypt = options.encrypt ? ` /Encrypt ${encryptId} 0 R /ID [<${'ab'.repeat(16)}> <${'ab'.repeat(16)}>]` : '';
  output += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info ${infoId} 0 R${encrypt} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(output, 'latin1');
}
