// MathJax for the proofs' $…$ and ```math blocks (pymdownx.arithmatex, generic mode: \( \) and \[ \]
// inside class "arithmatex") and for the tutorials' Markdown cells (mkdocs-jupyter: $ and $$ inside
// class "jp-RenderedMarkdown", whose paragraphs carry no class of their own and so inherit it); every
// other element with a class is left alone.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {ignoreHtmlClass: ".+", processHtmlClass: "arithmatex|jp-RenderedMarkdown"},
};
document$.subscribe(() => {
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
