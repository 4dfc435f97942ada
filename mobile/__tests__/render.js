// The signed-in app rendered with a real navigator, at phone size.
import React from 'react';
import { NavigationContainer } from '@react-navigation/native';
import { SafeAreaProvider } from 'react-native-safe-area-context';
import { render } from '@testing-library/react-native';
import { FieldNavigator } from '../src/navigation';

const METRICS = { frame: { x: 0, y: 0, width: 360, height: 740 }, insets: { top: 0, left: 0, right: 0, bottom: 0 } };

export function renderApp(session, props = {}) {
  return render(
    <SafeAreaProvider initialMetrics={METRICS}>
      <NavigationContainer>
        <FieldNavigator session={session} onSignOut={() => {}} {...props} />
      </NavigationContainer>
    </SafeAreaProvider>,
  );
}
