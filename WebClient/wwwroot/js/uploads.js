// Attachments (docs/PROTOCOL.md createAttachment, docs/MEDIA.md): hash, createAttachment over the socket, then the
// resumable HEAD/PATCH protocol on the signed upload URL, in chunks, resuming from the server's offset after a failure.

const ChunkBytes = 256 * 1024;
const MaxAttempts = 8;

/**
 * Uploads a File and resolves with {attachmentId, size, contentType}. onProgress(fraction) follows the bytes the server
 * holds. A broken chunk is resumed from the offset MediaService reports (HEAD), so nothing is sent twice.
 */
export async function uploadAttachment(connection, file, onProgress) {
  const bytes = await file.arrayBuffer();
  const hash = hex(await crypto.subtle.digest("SHA-256", bytes));
  const contentType = file.type || "application/octet-stream";
  const created = await connection.request("createAttachment", { hash, size: file.size, contentType });
  const attachment = { attachmentId: created.attachmentId, size: file.size, contentType };
  if (created.alreadyUploaded) {
    onProgress(1);
    return attachment;
  }
  let offset = 0;
  for (let attempt = 0; offset < file.size; ) {
    try {
      offset = await sendChunk(created.uploadUrl, file.slice(offset, offset + ChunkBytes), offset,
        sent => onProgress((offset + sent) / file.size));
      attempt = 0;
    } catch (error) {
      if (++attempt >= MaxAttempts) throw error;
      await new Promise(resolve => setTimeout(resolve, 250 * 2 ** attempt));
      offset = await currentOffset(created.uploadUrl);
    }
    onProgress(offset / file.size);
  }
  return attachment;
}

/** One PATCH; resolves with the new offset. XMLHttpRequest, because fetch reports no upload progress. */
function sendChunk(url, chunk, offset, onSent) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PATCH", url);
    xhr.setRequestHeader("Upload-Offset", String(offset));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = event => onSent(event.loaded);
    xhr.onload = () => {
      if (xhr.status === 200) resolve(offset + chunk.size);
      else if (xhr.status === 204 || xhr.status === 409) resolve(Number(xhr.getResponseHeader("Upload-Offset")));
      else reject(new Error(`upload answered ${xhr.status}: ${xhr.responseText}`));
    };
    xhr.onerror = () => reject(new Error("upload connection failed"));
    xhr.send(chunk);
  });
}

async function currentOffset(url) {
  const response = await fetch(url, { method: "HEAD" });
  if (!response.ok) throw new Error(`upload status answered ${response.status}`);
  return Number(response.headers.get("Upload-Offset"));
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map(b => b.toString(16).padStart(2, "0")).join("");
}
