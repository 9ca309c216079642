// The zone and line helper: clicks on the frame add points (fractions of the picture), drawn
// over it; the form names the shape and picks labels; the YAML for the cameras file is shown
// with a copy button, and a warning when the name is one of the camera's zones or lines already
// (data-taken on the form). Nothing is sent to algo.
import { formatPoints, parsePoints, shapeYaml, type Point } from './shape-yaml.js';

const SVG = 'http://www.w3.org/2000/svg';

export function startHelper(img: HTMLImageElement, svg: SVGSVGElement): void {
  const form = document.getElementById('helper') as HTMLFormElement;
  const pointsInput = document.getElementById('shape-points') as HTMLInputElement;
  const labels = document.getElementById('shape-labels') as HTMLSelectElement;
  const output = document.getElementById('yaml') as HTMLElement;
  const problem = document.getElementById('helper-problem') as HTMLElement;
  let points: Point[] = [];

  const kind = (): 'zone' | 'line' => (new FormData(form).get('kind') === 'line' ? 'line' : 'zone');

  function draw(): void {
    const shape = document.createElementNS(SVG, kind() === 'zone' ? 'polygon' : 'polyline');
    shape.setAttribute('points', points.map(([x, y]) => `${x},${y}`).join(' '));
    shape.setAttribute('class', 'shape');
    const dots = points.map(([x, y]) => {
      const dot = document.createElementNS(SVG, 'circle');
      dot.setAttribute('cx', String(x));
      dot.setAttribute('cy', String(y));
      dot.setAttribute('r', '0.008');
      return dot;
    });
    svg.replaceChildren(shape, ...dots);
  }

  function update(): void {
    draw();
    const result = shapeYaml({
      kind: kind(),
      name: (form.elements.namedItem('name') as HTMLInputElement).value.trim(),
      points,
      labels: [...labels.selectedOptions].map((option) => option.value),
      in: (form.elements.namedItem('in') as HTMLSelectElement).value,
      camera: form.dataset.camera ?? '',
      taken: (form.dataset.taken ?? '').split(' ').filter((name) => name !== ''),
    });
    output.textContent = result.ok ? result.yaml : '';
    problem.textContent = result.ok ? (result.warning ?? '') : result.problem;
  }

  img.addEventListener('click', (event) => {
    const rect = img.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return;
    if (kind() === 'line' && points.length >= 2) points = [];
    points.push([(event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height]);
    pointsInput.value = formatPoints(points);
    update();
  });
  pointsInput.addEventListener('input', () => {
    const typed = parsePoints(pointsInput.value);
    if (typed === undefined) {
      problem.textContent = 'Points: x,y pairs of fractions separated by spaces, e.g. 0.1,0.5 0.4,0.5 0.4,0.9';
      return;
    }
    points = typed;
    update();
  });
  form.addEventListener('change', (event) => {
    if (event.target !== pointsInput) update();
  });
  form.addEventListener('input', (event) => {
    if (event.target !== pointsInput) update();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  document.getElementById('undo')!.addEventListener('click', () => {
    points.pop();
    pointsInput.value = formatPoints(points);
    update();
  });
  document.getElementById('clear')!.addEventListener('click', () => {
    points = [];
    pointsInput.value = '';
    update();
  });
  document.getElementById('copy')!.addEventListener('click', () => {
    const text = output.textContent ?? '';
    if (text === '') return;
    void navigator.clipboard?.writeText(text).then(
      () => (problem.textContent = 'Copied.'),
      () => (problem.textContent = 'Copy failed: select the text and copy it.'),
    );
  });
  update();
}
