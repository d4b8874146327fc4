// Small DOM helpers the demo's tabs share.

/** An element with a class and text. */
export function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A small button with a test ID. */
export function button(label, testid, onClick, kind = 'btn-ghost') {
  const b = node('button', `btn ${kind} small`, label);
  b.type = 'button';
  b.dataset.testid = testid;
  b.addEventListener('click', onClick);
  return b;
}

/** `act(what, call)`: runs an SDK call; a rejection is shown (`env.showError`, with the code
 * `env.describe` gives) and resolves null. */
export function actor(env) {
  return async function act(what, call) {
    try {
      return await call();
    } catch (e) {
      env.showError(`${what} failed: ${env.describe(e)}`);
      return null;
    }
  };
}
