import type { Manifest } from './manifest.ts';

// README.md of a bundle: the dataset card a recipient reads first. Everything in it comes from the manifest
// (pseudonyms, slugs, label names, numbers), so it holds no more than the manifest does.

const FORMAT_TEXT: Record<string, string> = {
  seg: 'DICOM Segmentation (binary), one per labelled series: `tasks/<task>/<series>.seg.dcm`',
  sr: 'DICOM SR TID 1500 measurement report (lengths, angles, polylines, classification answers): `tasks/<task>/measurements.sr.dcm`',
  nifti:
    'NIfTI-1 label map (uint8, value = label value below), dcm2niix voxel grid: `tasks/<task>/<series>_labels.nii.gz`',
  'nifti-image':
    'NIfTI-1 image volume on the same grid as the label map: `tasks/<task>/<series>_image.nii.gz`',
  coco: 'COCO instance annotations over every task: `coco/annotations.json`',
  'coco-png': 'COCO with each annotated frame rendered to PNG (default window): `coco/images/`',
  dicom: 'the de-identified source images, as annotators saw them: `dicom/<study>/<series>/<instance>.dcm`',
};

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The Markdown dataset card of a bundle's manifest. */
export function datasetCard(manifest: Manifest): string {
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  const lines = [
    `# Annex dataset ${manifest.datasetId}`,
    '',
    `Project \`${manifest.project.slug}\` (${manifest.project.pseudonym}), exported ${manifest.createdAt}.`,
    `${manifest.tasks.length} task(s), ${manifest.files.length} file(s), ${mb(total)}; labelling instructions version(s) ${manifest.instructionsVersions.join(', ') || 'none'}.`,
    '',
    '## Formats',
    '',
    ...manifest.formats.map((f) => `- **${f}**: ${FORMAT_TEXT[f] ?? f}`),
    '',
    '## Labels',
    '',
    '| value | id | name | tool | code |',
    '|---|---|---|---|---|',
    ...Object.entries(manifest.labelMap).map(
      ([id, l]) =>
        `| ${l.value ?? ''} | ${cell(id)} | ${cell(l.name)} | ${l.tool} | ${l.code ? cell(`${l.code.scheme} ${l.code.value} "${l.code.meaning}"`) : ''} |`,
    ),
    '',
    'Label values are those of the NIfTI label maps and the SEG segment numbers (mask labels only; 0 is background).',
    '',
    '## De-identification',
    '',
    manifest.deidentification.options.length > 0
      ? `${manifest.deidentification.profile}, with: ${manifest.deidentification.options.join('; ')}.`
      : `${manifest.deidentification.profile}.`,
    'Study, series and instance UIDs are the de-identified ones the annotators saw; the labels refer to them.',
    'Tasks and annotators appear only as pseudonyms.',
    '',
    '## Tasks',
    '',
    '| task | final label set | annotators | agreement |',
    '|---|---|---|---|',
    ...manifest.tasks.map((t) => {
      const agreement = Object.entries(t.agreement)
        .flatMap(([label, metrics]) =>
          Object.entries(metrics).map(([m, v]) => `${label} ${m} ${v.toFixed(3)}`),
        )
        .join(', ');
      return `| ${t.task} | ${cell(t.consensusMethod)} | ${t.annotators.length} | ${cell(agreement)} |`;
    }),
    '',
    '## Checking the copy',
    '',
    '`manifest.json` lists every file with its size and SHA-256. From this folder:',
    '',
    '```sh',
    `python3 -c 'import json,hashlib;m=json.load(open("manifest.json"));bad=[f["path"] for f in m["files"] if hashlib.sha256(open(f["path"],"rb").read()).hexdigest()!=f["sha256"]];print(bad or "all files match")'`,
    '```',
    '',
  ];
  return lines.join('\n');
}
