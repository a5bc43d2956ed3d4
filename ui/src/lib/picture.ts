/**
 * A profile picture as Guardian sends it: a square JPEG of `side` pixels cut from the middle of
 * the chosen photo, so a phone photo of several megabytes becomes a few kilobytes. Returns null
 * when the web view cannot read the file as a picture. Where there is no canvas (tests outside
 * a browser) the file goes as it is; the engine and the provider check it either way.
 */
export async function squarePicture(file: Blob, side = 256): Promise<number[] | null> {
  const asIs = () => bytesOf(file);
  if (typeof createImageBitmap !== "function") return asIs();
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = side;
  const context = canvas.getContext("2d");
  if (!context) {
    bitmap.close();
    return asIs();
  }
  const crop = Math.min(bitmap.width, bitmap.height);
  context.drawImage(bitmap, (bitmap.width - crop) / 2, (bitmap.height - crop) / 2, crop, crop, 0, 0, side, side);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  return blob ? bytesOf(blob) : null;
}

/** The bytes of a blob (through FileReader, which every web view and test DOM has). */
function bytesOf(blob: Blob): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(Array.from(new Uint8Array(reader.result as ArrayBuffer)));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}
