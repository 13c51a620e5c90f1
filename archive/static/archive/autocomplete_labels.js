'use strict';
// Django's autocomplete boxes are drawn by select2 (4.0), which names the combobox it
// draws by the chosen record alone (aria-labelledby its text), and by nothing when none
// is chosen: a screen reader says "combobox" and not which field. Name it after its
// field, as the field's <label> says (or, in an inline row, its aria-label); the chosen
// record stays read, as the combobox's description. The chosen record's text is not a
// text box either (select2 4.1 dropped that role too): an unnamed one, to axe.
// After autocomplete.js, which draws the boxes.
{
    const $ = django.jQuery;

    function fieldName(select) {
        const label = select.getAttribute('aria-label') || select.labels[0]?.textContent || '';
        return label.trim().replace(/:$/, '');
    }

    function nameBoxes(root) {
        root.querySelectorAll('select.admin-autocomplete').forEach((select) => {
            const box = select.nextElementSibling?.querySelector('.select2-selection');
            if (!box || box.hasAttribute('aria-label')) {
                return;
            }
            const chosen = box.getAttribute('aria-labelledby');
            box.removeAttribute('aria-labelledby');  // it would win over aria-label
            box.setAttribute('aria-label', fieldName(select));
            if (chosen) {
                box.setAttribute('aria-describedby', chosen);
            }
            const shown = box.querySelector('.select2-selection__rendered');
            shown?.removeAttribute('role');
            shown?.removeAttribute('aria-readonly');
        });
    }

    $(() => nameBoxes(document));
    document.addEventListener('formset:added', (event) => nameBoxes(event.target));
}
