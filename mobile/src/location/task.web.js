// In a browser (the app's web export) there is no background location service: the working
// day needs the Android app.

export async function startDay() {
  throw new Error('Recording the route needs the Android app.');
}

export async function endDay() {}

export async function resumeDay() {
  return 'none';
}

export async function dayIsOn() {
  return false;
}
