// The calibration set: what is used now (said on screen when the page chose random inputs),
// the bundled digits, random inputs from a distribution, images or tensor files (chosen or
// dropped on this box) with the image preprocessing fields and thumbnails.
import { useState } from 'react';
import { useAppStore } from '../store/index.js';
import { InputDims } from './InputDims.js';
import {
  chooseDataFiles,
  chooseDefaultData,
  chooseRandomData,
  type ImageFields,
  type RandomSpec,
  setImageFields,
  useQuantStore,
} from '../store/quant-index.js';

function RandomForm() {
  const spec = useQuantStore((s) => s.randomSpec);
  const busy = useQuantStore((s) => s.busy);
  const [draft, setDraft] = useState<RandomSpec>(spec);
  const num = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void chooseRandomData(draft);
      }}
    >
      <label>
        samples{' '}
        <input
          type="number"
          min={1}
          max={256}
          value={draft.count}
          onChange={(e) => setDraft({ ...draft, count: num(e.target.value) })}
        />
      </label>
      <label>
        <span className="sr-only">Distribution</span>
        <select
          value={draft.distribution}
          onChange={(e) => {
            const distribution = e.target.value as RandomSpec['distribution'];
            setDraft({
              ...draft,
              distribution,
              ...(distribution === 'normal' ? { a: 0, b: 1 } : { a: 0, b: 1 }),
            });
          }}
        >
          <option value="uniform">uniform</option>
          <option value="normal">normal</option>
        </select>
      </label>
      <label>
        {draft.distribution === 'uniform' ? 'low' : 'mean'}{' '}
        <input
          type="number"
          step="any"
          value={draft.a}
          onChange={(e) => setDraft({ ...draft, a: num(e.target.value) })}
        />
      </label>
      <label>
        {draft.distribution === 'uniform' ? 'high' : 'std'}{' '}
        <input
          type="number"
          step="any"
          value={draft.b}
          onChange={(e) => setDraft({ ...draft, b: num(e.target.value) })}
        />
      </label>
      <button type="submit" className="button" disabled={busy !== null}>
        Use random inputs
      </button>
    </form>
  );
}

const FIELDS: readonly { key: keyof ImageFields; label: string; placeholder: string }[] = [
  { key: 'size', label: 'Size (HxW)', placeholder: 'input’s' },
  { key: 'layout', label: 'Layout', placeholder: 'nchw / nhwc' },
  { key: 'mean', label: 'Mean', placeholder: '0 or 0.485,0.456,0.406' },
  { key: 'std', label: 'Std', placeholder: '1 or 0.229,0.224,0.225' },
  { key: 'scale', label: 'Pixel factor', placeholder: '1/255' },
  { key: 'channelOrder', label: 'Channel order', placeholder: 'rgb / bgr' },
];

function ImageForm() {
  const fields = useQuantStore((s) => s.imageFields);
  const [draft, setDraft] = useState<ImageFields>(fields);
  return (
    <form
      className="image-form"
      onSubmit={(e) => {
        e.preventDefault();
        void setImageFields(draft);
      }}
    >
      <p className="small muted">
        value = (pixel × factor − mean) / std, per channel, after resizing (bilinear)
      </p>
      <div className="form-grid">
        {FIELDS.map((f) => (
          <label key={f.key} className="form-row">
            <span>{f.label}</span>
            <input
              type="text"
              value={draft[f.key]}
              placeholder={f.placeholder}
              onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
            />
          </label>
        ))}
      </div>
      <button type="submit" className="button">
        Apply preprocessing
      </button>
    </form>
  );
}

export function CalibrationData() {
  const data = useQuantStore((s) => s.data);
  const busy = useQuantStore((s) => s.busy);
  const digits = useAppStore((s) => s.acceptsDigits);
  const [over, setOver] = useState(false);
  return (
    <details className="quant-details" open={data.kind === 'random'} data-testid="calibration-data">
      <summary>
        Calibration data: {data.count} sample{data.count === 1 ? '' : 's'} ({data.kind})
      </summary>
      {data.note && (
        <p className="quant-note small" data-testid="data-note">
          {data.note}
        </p>
      )}
      <p className="small muted" data-testid="data-description">
        {data.description}
      </p>
      {data.thumbnails.length > 0 && (
        <div className="thumbnails">
          {data.thumbnails.map((url, i) => (
            <img key={url} src={url} alt={`calibration sample ${i + 1}`} />
          ))}
        </div>
      )}
      {digits && (
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          onClick={() => void chooseDefaultData()}
        >
          Use the 10 bundled digits
        </button>
      )}
      <InputDims where="calibration" />
      <RandomForm />
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the file input inside is the keyboard path */}
      <div
        className={`data-drop${over ? ' over' : ''}`}
        data-own-drop
        onDragOver={(e) => {
          e.preventDefault(); // the page's listener sees it too, and steps aside (data-own-drop)
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault(); // the page's listener ends its drag state and leaves the files here
          setOver(false);
          void chooseDataFiles([...e.dataTransfer.files]);
        }}
      >
        <label className="file-button">
          Images or tensor files…
          <input
            type="file"
            multiple
            accept=".png,.jpg,.jpeg,.bmp,.pb,.npy"
            aria-label="Calibration files"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              void chooseDataFiles(files);
            }}
          />
        </label>
        <span className="small muted"> or drop png / jpg / bmp / .pb / .npy here</span>
      </div>
      {data.kind === 'images' && <ImageForm />}
    </details>
  );
}
