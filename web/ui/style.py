"""The UI's stylesheet. Injected once into <head> by the header gr.HTML (`head=`), so it works
whatever css the server passes to gradio.mount_gradio_app. Colours use gradio's theme
variables so light and dark modes both read well. No external fonts or URLs."""

CSS = """
.pg-header h1 { margin: 0 0 .2em 0; font-size: 1.6em; }
.pg-header .pg-sub { color: var(--body-text-color-subdued); font-size: .92em; }
.pg-header .pg-plans { margin: .3em 0 0 0; padding-left: 1.2em; font-size: .9em; }
.pg-msg { padding: .55em .8em; border-radius: 6px; margin: .3em 0; border: 1px solid; }
.pg-msg-info { border-color: var(--border-color-primary); background: var(--background-fill-secondary); }
.pg-msg-warn { border-color: #d9a400; background: rgba(255, 200, 0, .12); }
.pg-msg-error { border-color: #d33; background: rgba(220, 50, 50, .10); }
.pg-question { color: var(--body-text-color-subdued); margin-bottom: .4em; word-break: break-all; }
.pg-answer { border: 1px solid var(--border-color-primary); border-left: 5px solid #2b8a3e;
  border-radius: 8px; padding: .7em 1em; margin-bottom: .8em; background: var(--background-fill-secondary); }
.pg-answer.pg-notfound { border-left-color: #c77c02; }
.pg-answer-text { font-size: 1.12em; line-height: 1.65; white-space: pre-wrap; word-break: break-word; }
.pg-answer-head { display: flex; gap: .6em; align-items: center; margin-bottom: .35em; flex-wrap: wrap; }
.pg-kind { font-size: .8em; padding: .1em .55em; border-radius: 10px;
  background: var(--color-accent-soft); color: var(--body-text-color); }
.pg-conf { font-size: .82em; display: inline-flex; align-items: center; gap: .4em; }
.pg-bar { display: inline-block; width: 80px; height: 7px; border-radius: 4px;
  background: var(--border-color-primary); overflow: hidden; }
.pg-bar > span { display: block; height: 100%; }
.pg-conf-high .pg-bar > span { background: #2b8a3e; }
.pg-conf-mid .pg-bar > span { background: #d9a400; }
.pg-conf-low .pg-bar > span { background: #d33; }
.pg-positions { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
  gap: .6em; margin-top: .3em; }
.pg-pos { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .5em .7em;
  background: var(--background-fill-primary); }
.pg-pos-city { font-weight: 600; margin-bottom: .2em; }
.pg-pos .pg-answer-text { font-size: 1.02em; }
.pg-cites h4 { margin: .6em 0 .3em 0; }
ol.pg-cite-list { padding-left: 0 !important; list-style: none !important; margin: 0; }
ol.pg-cite-list > li { margin-left: 0 !important; }
ol.pg-cite-list > li::marker { content: none; }
.pg-cite { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .55em .8em;
  margin: .45em 0; background: var(--background-fill-primary); }
.pg-cite-head { display: flex; flex-wrap: wrap; gap: .5em; align-items: baseline; margin-bottom: .3em; }
.pg-num { font-weight: 600; color: var(--color-accent); }
.pg-path { color: var(--body-text-color-subdued); font-size: .88em; }
.pg-off { color: var(--body-text-color-subdued); font-size: .78em; margin-left: auto; }
.pg-text { white-space: pre-wrap; line-height: 1.7; word-break: break-word; }
.pg-text mark, .pg-table mark { background: #ffe066 !important; color: #111 !important;
  padding: 0 .1em; border-radius: 2px; }
#pg-cmp-csv, #pg-targets-csv { flex-grow: 0 !important; max-width: 180px; }
.pg-note { color: var(--body-text-color-subdued); font-size: .84em; margin: .2em 0; }
.pg-section { margin-top: .4em; }
.pg-section summary { cursor: pointer; color: var(--color-accent); font-size: .88em; }
.pg-section .pg-text { max-height: 420px; overflow: auto; padding: .5em; margin-top: .3em;
  border-radius: 6px; background: var(--background-fill-secondary); }
.pg-table-wrap { overflow-x: auto; }
.pg-table { border-collapse: collapse; width: 100%; font-size: .93em; }
.pg-table th, .pg-table td { border: 1px solid var(--border-color-primary); padding: .4em .6em;
  vertical-align: top; text-align: left; }
.pg-table th { background: var(--background-fill-secondary); white-space: nowrap; }
.pg-scroll { max-height: 70vh; overflow: auto; }
.pg-scroll thead th { position: sticky; top: 0; z-index: 1; }
.pg-compare tr.pg-cat th { position: static; background: var(--background-fill-primary);
  color: var(--color-accent); }
.pg-cmp-cites > summary { cursor: pointer; margin: .6em 0 .2em 0; font-weight: 600; }
.pg-compare thead th:first-child { min-width: 9em; }
.pg-gap { color: var(--body-text-color-subdued); font-style: italic; }
.pg-val { font-weight: 600; }
.pg-achieved { color: var(--body-text-color-subdued); }
.pg-sup { font-size: .78em; color: var(--color-accent); margin-left: .15em; }
.pg-tag { display: inline-block; font-size: .78em; padding: 0 .45em; border-radius: 8px;
  border: 1px solid var(--border-color-primary); margin-left: .25em; }
.pg-tag-hard { border-color: #d33; color: #d33; }
.pg-tag-soft { border-color: #1c7ed6; color: #1c7ed6; }
.pg-graph svg { width: 100%; height: auto; max-height: 640px; display: block;
  background: var(--background-fill-secondary); border-radius: 8px; }
.pg-graph .pg-node { cursor: pointer; }
.pg-graph .pg-node:hover circle, .pg-graph .pg-node:focus-visible circle { stroke-width: 3; stroke: var(--color-accent); }
.pg-graph .pg-node:focus { outline: none; }
.pg-graph text { font-family: inherit; }
.pg-legend { display: flex; flex-wrap: wrap; gap: .8em; font-size: .82em; margin: .3em 0; }
.pg-legend i { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .25em;
  vertical-align: middle; }
body, .gradio-container { font-family: "Source Sans Pro", ui-sans-serif, system-ui,
  "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; }
"""

# The SPARQL editor (a CodeMirror 6 view inside gradio's Code component) would close brackets
# and quotes as they are typed, which breaks queries typed line by line ("{" Enter ... "}"
# left an extra "}"). Opening characters typed there are inserted as themselves. Passed to
# gr.Blocks(js=...), which runs it once the page has loaded.
EDITOR_JS = """
() => {
  document.addEventListener("keydown", function (ev) {
    var host = ev.target && ev.target.closest ? ev.target.closest("#pg-sparql-editor") : null;
    if (!host || ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
    if (ev.key.length !== 1 || "{([\\"'".indexOf(ev.key) < 0) return;
    var content = host.querySelector(".cm-content");
    var tile = content && (content.cmTile || content.cmView);   // CodeMirror 6 internals
    var view = tile && tile.view;
    if (!view || !view.state) return;
    ev.preventDefault();
    ev.stopPropagation();
    view.dispatch(view.state.replaceSelection(ev.key), {scrollIntoView: true});
  }, true);
}
"""

HEAD = f"<style>{CSS}</style>"
