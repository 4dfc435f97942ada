// The app's entry: the background location task is defined before anything renders, as the
// platform may start the app headless just to run it.
import './src/platform/polyfills';
import './src/location/task';
import { registerRootComponent } from 'expo';
import App from './src/App';

registerRootComponent(App);
