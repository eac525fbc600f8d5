// Passkeys (WebAuthn): add one on the account page, or use one instead of the app's code.
// The server sends options as JSON with binary fields in base64url; the browser's API wants
// ArrayBuffers, and its answer goes back in base64url again (py_webauthn reads that form).
"use strict";

(function () {
  function toBuffer(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function post(box, url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": box.dataset.csrf,
      },
      body: JSON.stringify(body || {}),
    });
    let answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = {};
    }
    if (!response.ok) throw new Error(answer.error || response.statusText);
    return answer;
  }

  function descriptors(list) {
    return (list || []).map((item) => Object.assign({}, item, { id: toBuffer(item.id) }));
  }

  // A credential as JSON the server's WebAuthn library reads: what every credential carries,
  // and the fields of its kind of response (a new key's, or a signed answer's).
  function asJson(credential, response) {
    return JSON.stringify({
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: Object.assign({ clientDataJSON: toText(credential.response.clientDataJSON) }, response),
      clientExtensionResults: credential.getClientExtensionResults(),
    });
  }

  async function add(box) {
    const options = await post(box, box.dataset.optionsUrl);
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    const made = await navigator.credentials.create({ publicKey: options });
    const credential = asJson(made, {
      attestationObject: toText(made.response.attestationObject),
      transports: made.response.getTransports ? made.response.getTransports() : [],
    });
    const name = box.querySelector("input") ? box.querySelector("input").value : "";
    return post(box, box.dataset.verifyUrl, { credential, name });
  }

  async function signIn(box) {
    const options = await post(box, box.dataset.optionsUrl);
    options.challenge = toBuffer(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    const got = await navigator.credentials.get({ publicKey: options });
    const credential = asJson(got, {
      authenticatorData: toText(got.response.authenticatorData),
      signature: toText(got.response.signature),
      userHandle: got.response.userHandle ? toText(got.response.userHandle) : null,
    });
    return post(box, box.dataset.verifyUrl, { credential, next: box.dataset.next });
  }

  function wire(box, ceremony) {
    const button = box.querySelector("button");
    const error = box.querySelector("[data-passkey-error]");
    if (!window.PublicKeyCredential) {
      const unsupported = box.querySelector("[data-passkey-unsupported]");
      if (unsupported) unsupported.hidden = false;
      button.disabled = true;
      return;
    }
    box.hidden = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      error.textContent = "";
      try {
        const done = await ceremony(box);
        window.location.assign(done.redirect);
      } catch (problem) {
        error.textContent = problem.message || String(problem);
        button.disabled = false;
      }
    });
  }

  document.querySelectorAll("[data-passkey-add]").forEach((box) => wire(box, add));
  document.querySelectorAll("[data-passkey-sign-in]").forEach((box) => wire(box, signIn));
})();
