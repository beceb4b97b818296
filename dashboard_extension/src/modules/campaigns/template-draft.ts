/** An email template being edited, and the API input it becomes. */
import type { CrmEmailTemplateFormat, CrmEmailTemplateInput } from "../../generated/graphql";

export type TemplateDraft = {
  id: string | null;
  name: string;
  subject: string;
  preheader: string;
  bodyFormat: CrmEmailTemplateFormat;
  body: string;
  text: string;
};

export const STARTER_MJML = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ customer.first_name }},</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

export const emptyDraft = (): TemplateDraft => ({
  id: null,
  name: "",
  subject: "",
  preheader: "",
  bodyFormat: "MJML",
  body: STARTER_MJML,
  text: "",
});

export const draftFromTemplate = (template: Omit<TemplateDraft, "id"> & { id: string }): TemplateDraft => ({
  id: template.id,
  name: template.name,
  subject: template.subject,
  preheader: template.preheader,
  bodyFormat: template.bodyFormat,
  body: template.body,
  text: template.text,
});

export const toTemplateInput = (draft: TemplateDraft): CrmEmailTemplateInput => ({
  name: draft.name.trim(),
  subject: draft.subject,
  preheader: draft.preheader,
  bodyFormat: draft.bodyFormat,
  body: draft.body,
  text: draft.text,
});

/** Addresses typed for a test send: split on commas, spaces or new lines; duplicates dropped. */
export const parseAddresses = (typed: string): string[] => [
  ...new Set(
    typed
      .split(/[\s,;]+/)
      .map((address) => address.trim())
      .filter(Boolean),
  ),
];

/** Why the draft cannot be previewed yet (the API needs a subject and a body), or null when it can. */
export const previewHint = (draft: { subject?: string | null; body?: string | null }): string | null => {
  const missing = [!draft.subject?.trim() && "a subject", !draft.body?.trim() && "a body"].filter(Boolean);
  return missing.length ? `Enter ${missing.join(" and ")} to preview.` : null;
};
