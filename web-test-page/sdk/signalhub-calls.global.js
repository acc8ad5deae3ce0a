// Exposes the SDK as window.SignalHubCalls for pages that do not use modules themselves:
//   <script type="module" src="/sdk/signalhub-calls.global.js"></script>
// Module scripts run after the document is parsed but before DOMContentLoaded, so classic
// code can use window.SignalHubCalls from a DOMContentLoaded handler (or on the
// `signalhubcalls:ready` event this file fires on window).
import { SignalHubCalls } from './signalhub-calls.js';

window.SignalHubCalls = SignalHubCalls;
window.dispatchEvent(new Event('signalhubcalls:ready'));
