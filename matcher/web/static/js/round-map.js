/* The map of a round: the location's families and volunteers grouped by postcode area (a
 * count in each point), and a line per proposed pair with its distance on hover. Draws over
 * the vendored outline of the Netherlands; tiles only when the server names a tile server.
 * Everything it shows is also in the page's tables, which work without this script. */
(function () {
  "use strict";

  var holder = document.getElementById("round-map");
  if (!holder || !window.L || !window.fetch) {
    return;
  }
  var text = holder.dataset;

  function json(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      });
  }

  function plain(words) {
    var span = document.createElement("span");
    span.textContent = words;
    return span;
  }

  function pointLabel(point) {
    var parts = [];
    if (point.families.length) {
      parts.push(text.families + " (" + point.families.length + "): " + point.families.join(", "));
    }
    if (point.volunteers.length) {
      parts.push(
        text.volunteers + " (" + point.volunteers.length + "): " + point.volunteers.join(", ")
      );
    }
    return text.area + " " + point.key + " · " + parts.join(" · ");
  }

  function pointClass(point) {
    if (point.families.length && point.volunteers.length) {
      return "map-point map-point-both";
    }
    return point.families.length ? "map-point map-point-family" : "map-point map-point-volunteer";
  }

  function draw(outline, data) {
    holder.hidden = false;
    var map = L.map(holder, { zoomSnap: 0.25, attributionControl: true });
    if (text.tiles) {
      L.tileLayer(text.tiles, { maxZoom: 18 }).addTo(map);
    }
    var land = L.geoJSON(outline, { className: "map-outline", interactive: false });
    var where = {};
    var bounds = [];
    data.points.forEach(function (point) {
      var at = [point.lat, point.lon];
      where[point.key] = at;
      bounds.push(at);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 });
    } else {
      map.fitBounds(land.getBounds());
    }
    land.addTo(map);
    map.attributionControl.addAttribution(text.attribution);
    data.pairs.forEach(function (pair) {
      var line = L.polyline([where[pair.family_point], where[pair.volunteer_point]], {
        className: "map-pair map-pair-" + pair.status + (pair.chosen ? " map-pair-chosen" : ""),
        weight: 5
      }).addTo(map);
      line.bindTooltip(plain(pair.family_id + " – " + pair.volunteer_id + ": " + pair.distance), {
        sticky: true,
        className: "map-tooltip"
      });
    });
    data.points.forEach(function (point) {
      var count = point.families.length + point.volunteers.length;
      var marker = L.marker(where[point.key], {
        icon: L.divIcon({ className: pointClass(point), html: String(count), iconSize: [28, 28] }),
        title: pointLabel(point),
        keyboard: true
      }).addTo(map);
      marker.bindTooltip(plain(pointLabel(point)), { className: "map-tooltip" });
    });
  }

  Promise.all([json(text.outline), json(text.source)])
    .then(function (loaded) {
      draw(loaded[0], loaded[1]);
    })
    .catch(function () {
      holder.hidden = true;
    });
})();
