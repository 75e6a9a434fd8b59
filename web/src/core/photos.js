// Photos are resized on the phone before upload: the long side at most 1600 px, JPEG at 0.82
// (a 12-megapixel photo of 4-5 MB becomes about 300 KB; the orientation is applied first).
export const MAX_SIDE = 1600;

export async function resize(file, maxSide = MAX_SIDE) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.82));
  if (!blob) throw new Error("照片处理失败");
  return blob;
}
