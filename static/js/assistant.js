/* Studyhall's assistant page: with JavaScript on, questions go through the JSON API
 * and answers appear without a reload. Without it the same form posts and the page
 * is rendered again, so nothing here is needed to chat.
 *
 * No inline code: configuration comes from data- attributes, the CSRF token from the
 * form, and it is sent in the X-CSRFToken header. A question that got no answer is
 * sent again with the same client_message_id, so the server stores it once. */
(function () {
  "use strict";

  var chat = document.getElementById("chat");
  var form = document.getElementById("ask");
  if (!chat || !form || !window.fetch || !window.JSON) {
    return;
  }
  var log = document.getElementById("chat-log");
  var status = document.getElementById("chat-status");
  var suggestions = document.getElementById("chat-suggestions");
  var input = form.elements.message;
  var sessionField = form.elements.session_id;
  var button = form.querySelector("button[type=submit]");
  var token = form.elements.csrfmiddlewaretoken.value;
  var apiUrl = chat.getAttribute("data-api-url");

  // The page's language: each message is written into the page as data-text-<name>.
  function phrase(name) {
    return chat.getAttribute("data-text-" + name) || "";
  }
  var unanswered = null; // {text, id}: the last question that got no answer
  var busy = false;

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function pendingBubble(text) {
    var item = document.createElement("li");
    var paragraph = document.createElement("p");
    item.className = "chat-message chat-user chat-pending";
    paragraph.textContent = text;
    item.appendChild(paragraph);
    log.appendChild(item);
    item.scrollIntoView({block: "nearest"});
    return item;
  }

  function failureMessage(status, data) {
    if (data && data.error) {
      return data.error;
    }
    if (status === 403) {
      return phrase("expired");
    }
    return phrase("failed");
  }

  function finish(bubble, text, message) {
    bubble.parentNode.removeChild(bubble);
    input.value = text;
    status.textContent = message;
  }

  function send(text) {
    if (busy) {
      return;
    }
    busy = true;
    var clientId = unanswered && unanswered.text === text ? unanswered.id : newId();
    if (!sessionField.value) {
      // The conversation's id is chosen before its first message is sent, so a retry
      // of that message lands in the same conversation and is stored once.
      sessionField.value = newId();
    }
    unanswered = {text: text, id: clientId};
    var bubble = pendingBubble(text);
    input.value = "";
    status.textContent = phrase("asking");
    button.disabled = true;
    form.setAttribute("aria-busy", "true");

    fetch(apiUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": token
      },
      body: JSON.stringify({
        session_id: sessionField.value || null,
        message: text,
        client_message_id: clientId
      })
    }).then(function (response) {
      return response.json().catch(function () {
        return null;
      }).then(function (data) {
        if (!response.ok || !data) {
          if (response.status === 404) {
            // The conversation is gone (deleted in another tab): start a new one.
            sessionField.value = newId();
          }
          finish(bubble, text, failureMessage(response.status, data));
          return;
        }
        bubble.insertAdjacentHTML("afterend", data.html);
        bubble.parentNode.removeChild(bubble);
        sessionField.value = data.session_id;
        unanswered = null;
        status.textContent = "";
        if (suggestions) {
          suggestions.hidden = true;
        }
        log.lastElementChild.scrollIntoView({block: "nearest"});
      });
    }, function () {
      finish(bubble, text, phrase("offline"));
    }).catch(function () {
      status.textContent = phrase("broken");
    }).then(function () {
      busy = false;
      button.disabled = false;
      form.removeAttribute("aria-busy");
      input.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      status.textContent = phrase("empty");
      return;
    }
    send(text);
  });

  // Enter sends; Shift+Enter starts a new line.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.dispatchEvent(new Event("submit", {cancelable: true}));
    }
  });

  if (suggestions) {
    Array.prototype.forEach.call(suggestions.querySelectorAll("button"), function (choice) {
      choice.addEventListener("click", function (event) {
        event.preventDefault();
        send(choice.value);
      });
    });
  }
}());
