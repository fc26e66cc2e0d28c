// The life map charts: a star (radar) of the first and latest check-in, and a line per
// area over time. The numbers come from the json_script data island (not executed); the
// tables on the page carry the same numbers, so the page is complete without this file.
const island = document.getElementById("wellbeing-chart-data");
const root = document.querySelector("[data-wellbeing-charts]");

function draw() {
  if (!island || !root || typeof window.Chart === "undefined") return;
  const data = JSON.parse(island.textContent);
  if (!data.areas.length) return;
  root.hidden = false;
  const Chart = window.Chart;
  const percent = { min: 0, max: 100, ticks: { stepSize: 25 } };
  new Chart(document.getElementById("wellbeing-radar"), {
    type: "radar",
    data: {
      labels: data.areas,
      datasets: [
        { label: `First (${data.dates[0]})`, data: data.first, borderColor: "#505a5f",
          backgroundColor: "rgba(80, 90, 95, 0.1)", borderDash: [6, 4] },
        { label: `Latest (${data.dates[data.dates.length - 1]})`, data: data.latest,
          borderColor: "#1d70b8", backgroundColor: "rgba(29, 112, 184, 0.2)" },
      ],
    },
    options: { maintainAspectRatio: false, animation: false, scales: { r: percent },
      plugins: { title: { display: true, text: "Where each area sits (% of the way to the best)" } } },
  });
  const palette = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#912b88", "#28a197", "#505a5f"];
  new Chart(document.getElementById("wellbeing-lines"), {
    type: "line",
    data: {
      labels: data.dates,
      datasets: data.areas.map((name, i) => ({
        label: name, data: data.history[i], spanGaps: true,
        borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
      })),
    },
    options: { maintainAspectRatio: false, animation: false, scales: { y: percent },
      plugins: { title: { display: true, text: "Each area over time (%)" } } },
  });
}

if (document.readyState === "complete") draw();
else window.addEventListener("load", draw);
