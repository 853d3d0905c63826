import { at, auc, rocCurve } from '@hepml/physics';
import type { ClassFiguresV1 } from '../bundle/evaluation.ts';
import { backgroundEfficiencyAtSignal } from './classifier.ts';

/** A class of a multi-class classifier: its label code, output name and role. */
export interface ClassSpec {
  name: string;
  /** Label value of this class in the sample. */
  label: number;
  /** Column of the model output holding this class's probability, and its name. */
  column: number;
  output: string;
  role: 'signal' | 'background';
}

/**
 * Per-class figures of a softmax classifier (probabilities row-major n × width, `width` values per
 * row of which the classes take the columns they name; default: the largest column + 1): for each class its
 * one-vs-rest AUC on its own probability; for signal classes the background rejection 1/εB of
 * the background classes at 50 % efficiency of that class (cut on its probability; capped at the
 * background count when nothing passes), and the row of the confusion matrix (fraction of the
 * class's events whose largest probability is each class, in `classes` order).
 */
export function evaluateMultiClass(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  classes: readonly ClassSpec[],
  width = Math.max(...classes.map((c) => c.column)) + 1,
): ClassFiguresV1[] {
  const k = classes.length;
  const n = labels.length;
  if (probabilities.length !== n * width) throw new RangeError('probabilities must be n × outputs');
  const column = (c: ClassSpec) => Float64Array.from({ length: n }, (_, i) => at(probabilities, i * width + c.column));
  const backgroundLabels = new Set(classes.filter((c) => c.role === 'background').map((c) => c.label));
  return classes.map((c) => {
    const p = column(c);
    const isThis = Uint8Array.from(labels, (l) => (l === c.label ? 1 : 0));
    const assigned = new Array<number>(k).fill(0);
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== c.label) continue;
      count++;
      let best = 0;
      for (let j = 1; j < k; j++) {
        if (
          (probabilities[i * width + at(classes, j).column] as number) >
          (probabilities[i * width + at(classes, best).column] as number)
        )
          best = j;
      }
      assigned[best] = at(assigned, best) + 1;
    }
    const out: ClassFiguresV1 = {
      name: c.name,
      output: c.output,
      role: c.role,
      n: count,
      auc: auc(p, isThis),
      assigned: assigned.map((a) => (count > 0 ? a / count : 0)),
    };
    if (c.role === 'signal') {
      // This class against the background classes only (other signal classes left out).
      const keep: number[] = [];
      for (let i = 0; i < n; i++) if (labels[i] === c.label || backgroundLabels.has(at(labels, i))) keep.push(i);
      const roc = rocCurve(
        keep.map((i) => at(p, i)),
        keep.map((i) => (labels[i] === c.label ? 1 : 0)),
      );
      const nBkg = keep.length - count;
      out.rejectionAt50 = 1 / Math.max(backgroundEfficiencyAtSignal(roc, 0.5), 1 / Math.max(1, nBkg));
    }
    return out;
  });
}
