import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { ArtifactTensor } from '../../../../shared/integrity';

export const T_ROW = 26;

/** Tensors can number in the thousands: only the rows in view are in the document. */
export function TensorTable({ tensors }: { tensors: ArtifactTensor[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: tensors.length,
    getScrollElement: () => ref.current,
    estimateSize: () => T_ROW,
    overscan: 10,
  });
  return (
    <section aria-label="Tensors">
      <h4>Tensors ({tensors.length.toLocaleString('en-US')})</h4>
      <div
        className="vtable tensor-vtable"
        role="table"
        aria-rowcount={tensors.length + 1}
        data-testid="inspector-tensors"
      >
        <div className="vtable-head" role="rowgroup">
          <div className="vrow vrow-head tensor-grid" role="row">
            <div role="columnheader">Name</div>
            <div role="columnheader">Dtype</div>
            <div role="columnheader">Shape</div>
            <div role="columnheader" className="num">
              Bytes
            </div>
            <div role="columnheader" className="num">
              Byte range
            </div>
          </div>
        </div>
        <div
          className="vtable-body tensor-body"
          ref={ref}
          role="rowgroup"
          tabIndex={0}
          aria-label="Tensor rows (scroll)"
        >
          <div className="vtable-spacer" style={{ height: v.getTotalSize() }}>
            {v.getVirtualItems().map((row) => {
              const t = tensors[row.index];
              if (!t) return null;
              return (
                <div
                  key={row.key}
                  role="row"
                  aria-rowindex={row.index + 2}
                  className="vrow tensor-grid"
                  data-testid="inspector-tensor"
                  style={{ transform: `translateY(${row.start}px)`, height: T_ROW }}
                >
                  <div role="cell" className="mono ellipsis" title={t.name}>
                    {t.name}
                  </div>
                  <div role="cell" className="mono">
                    {t.dtype}
                  </div>
                  <div role="cell" className="mono">
                    [{t.shape.join(', ')}]
                  </div>
                  <div role="cell" className="num mono">
                    {t.bytes.toLocaleString('en-US')}
                  </div>
                  <div role="cell" className="num mono">
                    {t.begin}..{t.end}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
