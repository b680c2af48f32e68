/** An app that throws on every request: each gets a 500 while the pool stays up. */
export default {
  fetch(): Response {
    throw new Error('fixture: this app fails on every request');
  },
};
