/// <reference types="vite/client" />

declare module "*.graphql?raw" {
  const document: string;
  export default document;
}
