/* The staff tab inside Teams: ask Teams for a single sign-on token, hand it to the bot
   (Authorization header, so no other site can make this request), then open the staff home.
   Wording comes from the page's data attributes. */
(function () {
  "use strict";
  var status = document.getElementById("teams-sign-in");
  function show(kind) {
    status.textContent = status.getAttribute("data-" + kind);
  }
  function signIn(token) {
    return fetch(status.getAttribute("data-sso-path"), {
      method: "POST",
      credentials: "same-origin",
      headers: { Authorization: "Bearer " + token },
    }).then(function (response) {
      if (response.status === 403) return show("not-staff");
      if (response.status === 503) return show("unavailable");
      if (!response.ok) return show("failed");
      return response.json().then(function (answer) {
        window.location.replace(answer.location);
      });
    });
  }
  microsoftTeams.app
    .initialize()
    .then(function () {
      return microsoftTeams.authentication.getAuthToken();
    })
    .then(signIn)
    .catch(function () {
      show("failed");
    });
})();
