// Serves quant requests against one QuantEngine: the worker (./worker-quant.ts) and, where there
// is no Worker (unit tests in Node), the client in-thread use this same dispatcher.
import { decodeModel } from '../model/decode.js';
import type { CalibrationProgress } from '../quant/calibrate.js';
import { QuantEngine } from './quant-engine.js';
import type { QuantProgress, QuantRequest } from './quant-protocol.js';

export class QuantHost {
  private engine: QuantEngine | null = null;

  private need(): QuantEngine {
    if (!this.engine) throw new Error('no model is open for quantization');
    return this.engine;
  }

  async handle(
    req: QuantRequest,
    signal: AbortSignal,
    progress: (p: QuantProgress) => void,
  ): Promise<unknown> {
    switch (req.method) {
      case 'open':
        this.engine = new QuantEngine(decodeModel(req.bytes), req.fileName, req.bytes, req.config);
        return this.engine.overview();
      case 'start':
        this.need().start(
          req.config,
          req.samples.map((s) => new Map(s)),
          req.description,
        );
        return this.need().overview();
      case 'step':
      case 'run': {
        const e = this.need();
        // Progress is throttled to about 30 messages a second.
        let last = 0;
        const sink = {
          signal,
          onProgress: (p: CalibrationProgress) => {
            const now = Date.now();
            if (now - last < 33 && p.sample < p.samples) return;
            last = now;
            progress({ kind: 'calibration', progress: { ...p } });
          },
        };
        await (req.method === 'step' ? e.step(sink) : e.run(sink));
        return e.overview();
      }
      case 'reset':
        this.need().reset();
        return this.need().overview();
      case 'overview':
        return this.need().overview();
      case 'metrics':
        return this.need().metrics(req.mode, req.sensitivity, req.preview, signal, (done, total, what) =>
          progress({ kind: 'metrics', done, total, what }),
        );
      case 'passthrough':
        return this.need().setPassthrough(req.tensor, req.on, req.mode);
      case 'overrides':
        this.need().setOverrides(req.changes);
        return this.need().overview();
      case 'nodeTensors':
        return this.need().nodeTensors(req.node);
      case 'tensorDetail':
        return this.need().tensorDetail(req.name);
      case 'strategyInputs':
        return this.need().strategyInputs();
      case 'export':
        return this.need().exportFiles();
      case 'loadSession':
        return {
          notes: await this.need().loadSession(req.text, req.where),
          overview: this.need().overview(),
        };
      case 'config':
        return this.need().currentConfig();
      case 'snapshot':
        return this.need().snapshot();
      case 'adopt':
        this.need().adopt(req.snapshot);
        return null;
      case 'setMetrics':
        this.need().setMetrics(req.result);
        return null;
    }
  }
}
