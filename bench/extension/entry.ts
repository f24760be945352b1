// Bench bundle: the extension's own recorder and walkthrough, exposed to a test page (no
// extension APIs: the page stubs chrome.runtime.sendMessage for the walkthrough).
export { initRecorder } from '../../packages/extension/src/content/recorder.content';
export { initWalkthrough } from '../../packages/extension/src/content/walkthrough.content';
