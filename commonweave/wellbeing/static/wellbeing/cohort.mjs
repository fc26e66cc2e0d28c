// Mean change per area with its 95% interval, from the json_script data island. Only
// published rows (30 or more paired people) are in the data; the table has them all.
const island = document.getElementById("wellbeing-cohort-data");
const root = document.querySelector("[data-wellbeing-cohort]");

function draw() {
  if (!island || !root || typeof window.Chart === "undefined") return;
  const data = JSON.parse(island.textContent);
  if (!data.labels.length) return;
  root.hidden = false;
  new window.Chart(document.getElementById("wellbeing-cohort-chart"), {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: "Mean change", data: data.means, backgroundColor: "#1d70b8" },
        { label: "95% interval, low", data: data.low, type: "line", showLine: false,
          pointStyle: "line", pointRadius: 10, borderColor: "#0b0c0c" },
        { label: "95% interval, high", data: data.high, type: "line", showLine: false,
          pointStyle: "line", pointRadius: 10, borderColor: "#0b0c0c" },
      ],
    },
    options: { maintainAspectRatio: false, animation: false, indexAxis: "x",
      plugins: { title: { display: true, text: "Mean change, first to latest check-in" } } },
  });
}

if (document.readyState === "complete") draw();
else window.addEventListener("load", draw);
