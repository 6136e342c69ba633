// The dashboard's only script: choosing in a filter's list submits its form.
// Every page works without it (each form has its own button).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && !field.multiple && field.form) {
    field.form.requestSubmit();
  }
});
