// A canvas the customer signs on with a finger, mouse or pen; gives the drawing as PNG base64.
import React, { useEffect, useRef } from 'react';

export default function SignaturePad({ onChange }) {
  const canvas = useRef(null);
  const drawing = useRef(false);
  // A ref, not state: pointer events arrive faster than renders.
  const empty = useRef(true);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.strokeStyle = '#102a43';
  }, []);

  function point(event) {
    const rect = canvas.current.getBoundingClientRect();
    const scale = canvas.current.width / rect.width;
    return [(event.clientX - rect.left) * scale, (event.clientY - rect.top) * scale];
  }

  function down(event) {
    drawing.current = true;
    canvas.current.setPointerCapture(event.pointerId);
    const ctx = canvas.current.getContext('2d');
    ctx.beginPath();
    ctx.moveTo(...point(event));
  }

  function move(event) {
    if (!drawing.current) return;
    const ctx = canvas.current.getContext('2d');
    ctx.lineTo(...point(event));
    ctx.stroke();
    empty.current = false;
  }

  function up() {
    if (!drawing.current) return;
    drawing.current = false;
    onChange(empty.current ? null : canvas.current.toDataURL('image/png').split(',')[1]);
  }

  function clear() {
    const c = canvas.current;
    const ctx = c.getContext('2d');
    ctx.fillRect(0, 0, c.width, c.height);
    empty.current = true;
    onChange(null);
  }

  return (
    <div className="signature">
      <canvas ref={canvas} width={600} height={220} data-testid="signature-pad" aria-label="Signature"
        onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerLeave={up} />
      <button type="button" className="link" onClick={clear}>Clear signature</button>
    </div>
  );
}
