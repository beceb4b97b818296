import { Input, type InputProps } from "@saleor/macaw-ui";
import { forwardRef } from "react";

/**
 * macaw-ui's `Input`, keeping the input's native role: macaw-ui 2.0.0 puts role="input" on it, which is not an
 * ARIA role (axe: aria-roles, critical). Without it a text field is a textbox, a number field a spinbutton.
 */
export const TextInput = forwardRef<HTMLInputElement, InputProps>((props, ref) => (
  <Input ref={ref} {...props} role={undefined} />
));
TextInput.displayName = "TextInput";
