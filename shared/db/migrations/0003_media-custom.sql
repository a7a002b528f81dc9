-- What the pipeline recorded about a clip moves out of the user's metadata into `system`. Those keys were
-- client-writable, so a value is kept only when it has the type the pipeline writes, and the HLS and poster
-- keys only when they are the clip's own derived keys. `file_size` becomes the MP4's bytes; the bytes that
-- were charged (every rendition) move to `storage_bytes`, so the quota stays as it is.
UPDATE video_clips SET
  storage_bytes = file_size,
  file_size = CASE
    WHEN jsonb_typeof(metadata->'videoBytes') = 'number'
      AND (metadata->>'videoBytes')::numeric BETWEEN 0 AND file_size
      AND (metadata->>'videoBytes')::numeric = trunc((metadata->>'videoBytes')::numeric)
    THEN (metadata->>'videoBytes')::bigint
    ELSE file_size
  END,
  system = jsonb_strip_nulls(jsonb_build_object(
    'jobType', CASE WHEN metadata->>'jobType' IN ('GENERATE', 'EDIT', 'ENHANCE', 'TRANSCODE') THEN metadata->'jobType' END,
    'model', CASE WHEN metadata->>'jobType' = 'GENERATE' AND jsonb_typeof(metadata->'model') = 'string' THEN metadata->'model' END,
    'notAi', CASE WHEN metadata->>'jobType' = 'GENERATE' AND jsonb_typeof(metadata->'notAi') = 'boolean' THEN metadata->'notAi' END,
    'hasAudio', CASE WHEN jsonb_typeof(metadata->'hasAudio') = 'boolean' THEN metadata->'hasAudio' END,
    'hasHls', to_jsonb(coalesce(metadata->>'hlsPlaylist' =
      'users/' || user_id::text || '/projects/' || project_id::text || '/clips/' || id::text || '/hls/index.m3u8', false)),
    'hasPoster', to_jsonb(coalesce(metadata->>'poster' =
      'users/' || user_id::text || '/projects/' || project_id::text || '/clips/' || id::text || '/poster.0000000.jpg', false))
  )),
  metadata = metadata - ARRAY['jobType', 'hlsPlaylist', 'poster', 'videoBytes', 'hasAudio', 'model', 'notAi'];
