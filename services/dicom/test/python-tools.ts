import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Debian's python3 with its pydicom and nibabel (the `python3` first on PATH may be another one without them):
// readers nobody here wrote, run on what Annex exports.
const PYTHON = '/usr/bin/python3';

/** Runs a python snippet with arguments and parses the JSON it prints; fails naming the package to install. */
export function python<T>(script: string, args: string[], packages: string): T {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install ${packages}`);
  const result = spawnSync(PYTHON, ['-c', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`python failed (apt-get install ${packages}?): ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout) as T;
}

/** Every frame of a SEG as pydicom reads it: segment, referenced source image and the set pixels (row-major). */
export const PYDICOM_SEG = `
import json, sys, pydicom, numpy as np
ds = pydicom.dcmread(sys.argv[1])
arr = ds.pixel_array
if arr.ndim == 2: arr = arr[np.newaxis]
out = []
for i, f in enumerate(ds.PerFrameFunctionalGroupsSequence):
    src = f.DerivationImageSequence[0].SourceImageSequence[0]
    out.append({
        'segment': int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber),
        'sop': str(src.ReferencedSOPInstanceUID),
        'frame': int(getattr(src, 'ReferencedFrameNumber', 1) or 1),
        'pixels': np.flatnonzero(arr[i].reshape(-1)).tolist(),
    })
segments = [{'number': int(s.SegmentNumber), 'label': str(s.SegmentLabel),
  'code': str(s.SegmentedPropertyTypeCodeSequence[0].CodeValue)} for s in ds.SegmentSequence]
print(json.dumps({'frames': out, 'segments': segments, 'rows': int(ds.Rows), 'columns': int(ds.Columns),
  'series': str(ds.ReferencedSeriesSequence[0].SeriesInstanceUID)}))
`;

/** A NIfTI file as nibabel reads it: affine, shape, and every non-zero voxel as [i, j, k, value]. */
export const NIBABEL_VOXELS = `
import json, sys, nibabel as nib, numpy as np
img = nib.load(sys.argv[1])
data = np.asanyarray(img.dataobj)
nz = np.argwhere(data != 0)
print(json.dumps({'affine': img.affine.tolist(), 'shape': list(data.shape),
  'voxels': [[int(i), int(j), int(k), int(data[i, j, k])] for i, j, k in nz[:200000]]}))
`;

/** Only the affine and shape of a NIfTI file (for comparing with dcm2niix's). */
export const NIBABEL_AFFINE = `
import json, sys, nibabel as nib
img = nib.load(sys.argv[1])
print(json.dumps({'affine': img.affine.tolist(), 'shape': list(img.shape)}))
`;

/**
 * Two NIfTI files compared by nibabel: their shapes, the largest difference between their affines, and
 * between their voxel values after each file's own scaling (scl_slope/scl_inter), voxel by voxel.
 */
export const NIBABEL_COMPARE = `
import json, sys, nibabel as nib, numpy as np
a, b = nib.load(sys.argv[1]), nib.load(sys.argv[2])
da, db = a.get_fdata(), b.get_fdata()
same = da.shape == db.shape
print(json.dumps({'shapes': [list(da.shape), list(db.shape)],
  'affine': float(np.abs(a.affine - b.affine).max()),
  'voxels': float(np.abs(da - db).max()) if same else None,
  'codes': [[int(a.header['sform_code']), int(a.header['qform_code'])], [int(b.header['sform_code']), int(b.header['qform_code'])]],
  'qform': float(np.abs(a.get_qform() - a.get_sform()).max())}))
`;
