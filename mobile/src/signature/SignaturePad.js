// The customer signs with a finger: strokes drawn live, a PNG made when they are done.
import React, { useRef, useState } from 'react';
import { View } from 'react-native';
import Svg, { Path } from 'react-native-svg';
import { Button, colors } from '../ui';
import { signaturePng } from './png';

export const PAD_WIDTH = 320;
export const PAD_HEIGHT = 160;

const pathOf = (stroke) => stroke.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');

/** `onChange(base64Png | null)` after each stroke and on clear. */
export default function SignaturePad({ onChange }) {
  const [strokes, setStrokes] = useState([]);
  const current = useRef(null);
  const at = (e) => ({ x: e.nativeEvent.locationX, y: e.nativeEvent.locationY });
  const update = (next) => {
    setStrokes(next);
    const drawn = next.filter((s) => s.length);
    onChange(drawn.length ? signaturePng(drawn, PAD_WIDTH, PAD_HEIGHT) : null);
  };
  return (
    <View>
      <View testID="signature-pad" accessibilityLabel="Signature pad"
        style={{ width: PAD_WIDTH, height: PAD_HEIGHT, borderWidth: 1, borderColor: colors.line, borderRadius: 6 }}
        onStartShouldSetResponder={() => true} onMoveShouldSetResponder={() => true}
        onResponderGrant={(e) => { current.current = [at(e)]; setStrokes((s) => [...s, current.current]); }}
        onResponderMove={(e) => {
          if (!current.current) return;
          current.current = [...current.current, at(e)];
          setStrokes((s) => [...s.slice(0, -1), current.current]);
        }}
        onResponderRelease={() => { const done = current.current; current.current = null; if (done) update([...strokes.slice(0, -1), done]); }}>
        <Svg width={PAD_WIDTH} height={PAD_HEIGHT} pointerEvents="none">
          {strokes.map((s, i) => <Path key={i} d={pathOf(s)} stroke="#111" strokeWidth={2.5} fill="none" />)}
        </Svg>
      </View>
      <Button title="Clear signature" kind="link" onPress={() => update([])} />
    </View>
  );
}
